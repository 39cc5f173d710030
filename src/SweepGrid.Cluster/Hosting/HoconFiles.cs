using Akka.Configuration;

namespace SweepGrid.Cluster.Hosting;

/// <summary>The HOCON files of hocon/, embedded in this assembly.</summary>
public static class HoconFiles
{
    public static string Text(string fileName)
    {
        var name = $"SweepGrid.hocon.{fileName}";
        using var stream = typeof(HoconFiles).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded configuration {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static Config Parse(string fileName) => ConfigurationFactory.ParseString(Text(fileName));
}
