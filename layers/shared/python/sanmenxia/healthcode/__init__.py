"""The health code (健康绿码): rule set and evaluation, signed tokens, QR images, data access, daily close."""
