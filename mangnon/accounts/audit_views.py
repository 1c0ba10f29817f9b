"""(filled in by its area of work)"""
