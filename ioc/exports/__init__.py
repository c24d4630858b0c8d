"""Lists as CSV and XLSX files."""
