"""The support bundle (``hbtui report``): what an incident needs, from every node, no key."""
