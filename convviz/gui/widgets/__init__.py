"""Views and reusable widgets; each renders part of the model and edits it."""
