"""The three steps every source goes through, as plain functions the assets call.

land: read new deliveries through the connector into the landing store;
stage: normalise and check them row by row; load: write them into the graph.
"""
