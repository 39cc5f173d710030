using System.Text.Json;

namespace SweepGrid.Cluster.Health;

/// <summary>
/// What a running node last found out about itself, written to its health file every few seconds and
/// read by `sweepgrid health` (Kubernetes' probes run that command in the node's container).
/// </summary>
/// <param name="Member">This node's cluster membership status as Akka names it: Joining, Up, Leaving, Exiting, Down, Removed.</param>
/// <param name="StoreError">Why the store did not answer; null when it did.</param>
public sealed record NodeHealth(string Address, string Member, bool StoreReachable, string? StoreError, DateTimeOffset CheckedAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The default file of the node on this remoting port, in the temporary folder.</summary>
    public static string DefaultPath(int port) => Path.Combine(Path.GetTempPath(), $"sweepgrid-node-{port}.health.json");

    /// <summary>Replaces the file in one step, so a reader never sees half of it.</summary>
    public void Write(string path)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The file's contents; null when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file is not a health file.</exception>
    public static NodeHealth? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<NodeHealth>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: empty health file");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a health file ({e.Message})", e);
        }
    }
}
