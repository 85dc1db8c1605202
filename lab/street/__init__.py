"""Feedback from the street: the quick page behind a pilot's QR code, and the city's poster."""
