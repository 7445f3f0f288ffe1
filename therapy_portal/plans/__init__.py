"""Treatment plans per couple: goals with measurable targets, signed versions, progress, PDF."""
