"""The UI's texts in French and English, split by area so that each can grow on its own."""
