// Nodes module.
