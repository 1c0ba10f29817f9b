"""Case-page sections for the case record: notes, home visits, conferences, attachments."""
