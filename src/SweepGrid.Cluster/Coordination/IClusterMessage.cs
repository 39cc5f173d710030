namespace SweepGrid.Cluster.Coordination;

/// <summary>
/// A message that may cross nodes (or be journaled): bound to <see cref="Serialization.SweepGridSerializer"/>
/// in sweepgrid.conf, so each has a stable manifest instead of a CLR type name on the wire.
/// </summary>
public interface IClusterMessage;
