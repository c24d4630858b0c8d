"""The Dash front end. It reaches data only through the API (see api_client)."""
