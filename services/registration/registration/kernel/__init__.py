"""Pure helpers every feature uses: Thai text and dates, money, interest, receipts, areas, limits.

No I/O here (no fastapi, no pymongo): a test keeps it that way.
"""
