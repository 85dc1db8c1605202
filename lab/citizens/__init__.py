"""Citizen testers: sign-up, pseudonymous testers, consent and enrollment, export and erasure."""
