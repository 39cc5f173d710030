using System.Text.Json;

namespace SweepGrid.Cluster.Hosting;

/// <summary>Values from the command line or the environment, written into HOCON that the process builds.</summary>
internal static class Hocon
{
    /// <summary>
    /// A HOCON quoted string holding exactly <paramref name="value"/>: HOCON's quoted strings are JSON's,
    /// so a quote, a backslash or a newline in a path or a host name can end nothing and add no key.
    /// </summary>
    public static string Quote(string value) => JsonSerializer.Serialize(value);
}
