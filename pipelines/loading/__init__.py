"""Loading: staged frames written into the graph, one transaction per delivery."""
