using Akka.Configuration;

namespace SweepGrid.Cluster.Hosting;

/// <summary>The HOCON files of hocon/, embedded in this assembly, or an operator's copies of them in a folder.</summary>
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

    /// <summary>The configuration files are a few kilobytes; one of a megabyte is not one.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>
    /// The file from <paramref name="directory"/> (on Kubernetes, the ConfigMap generated from hocon/,
    /// mounted), or the embedded one when <paramref name="directory"/> is null.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder lacks the file.</exception>
    /// <exception cref="ConfigurationException">The file is not valid HOCON; the message names it.</exception>
    public static Config Parse(string fileName, string? directory)
    {
        if (directory is null) return Parse(fileName);
        var path = Path.Combine(directory, fileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found (the configuration folder must hold {fileName})", path);
        try
        {
            // A ConfigMap's files are links (..data/NAME), followed; a FIFO or an endless file is not configuration.
            return ConfigurationFactory.ParseString(Core.Files.RegularFile.ReadAllText(path, MaxFileBytes, followLinks: true));
        }
        catch (Core.Files.RefusedFileException e)
        {
            throw new ConfigurationException(e.Message);
        }
        catch (Exception e)
        {
            // Akka's messages do not name the file.
            throw new ConfigurationException($"{path}: {e.Message}");
        }
    }
}
