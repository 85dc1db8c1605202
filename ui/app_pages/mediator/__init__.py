"""Pages of the Streamlit app, run by the router (ui/app.py)."""
