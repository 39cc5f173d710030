namespace SweepGrid.Data;

/// <summary>
/// Where a sweep's relative dataset path (sweep.dataset.path) is found: in the working directory
/// first (a researcher's own data, and data/ of a clone when run from its root), else in the folder
/// of this installation, where build/install.sh puts the bundled data, so that the bundled sweeps run
/// from any folder. An absolute path is taken as it is.
/// </summary>
public static class DataFolders
{
    /// <summary>The path to read: <paramref name="path"/> itself, or the installation's copy when only that exists.</summary>
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path) || Exists(path)) return path;
        var installed = Path.Combine(AppContext.BaseDirectory, path);
        return Exists(installed) ? installed : path;
    }

    /// <summary>For a "not found" message: where a relative path was looked for.</summary>
    public static string Searched(string path) => Path.IsPathRooted(path)
        ? ""
        : $" (looked for in the working directory {Directory.GetCurrentDirectory()} and in the installation {AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)})";

    private static bool Exists(string path) => Directory.Exists(path) || File.Exists(path);
}
