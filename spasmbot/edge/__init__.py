"""The Telegram layer: thin handlers that turn updates into calls on the domain and Screens into replies."""
