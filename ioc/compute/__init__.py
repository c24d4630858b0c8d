"""The write side of the figures: indicators and data-quality findings computed into out_ tables."""
