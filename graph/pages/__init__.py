"""Reading for pages: entity descriptions, search and the canned-query catalogue."""
