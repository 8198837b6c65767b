"""Region partitions: one region's deliveries loaded and linked apart from the others.

`codes` names the 14 regions and the partitions; `loading` loads one region's rows of the
staged deliveries; `country` links across regions and loads the rows that have no region.
"""
