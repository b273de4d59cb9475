"""Reachability: NetworkPolicy engine, Service layer, entry points, matrix and explain.

Nothing here runs unless ``matrix``, ``explain`` or an SVC4xx rule asks for
``routing_model(graph, settings)``.
"""
