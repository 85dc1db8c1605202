"""Feedback: the questionnaire, submissions (web and mediated), privacy-safe views, closing."""
