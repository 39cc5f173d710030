namespace SweepGrid.Core.Sweeps;

/// <summary>Paths built from names, never outside the folder they are meant to be in.</summary>
public static class SafePath
{
    /// <summary>
    /// <paramref name="root"/> joined with <paramref name="parts"/>, checked after normalisation to lie
    /// inside <paramref name="root"/> (a part such as "..", or an absolute one, cannot lead out).
    /// </summary>
    /// <exception cref="InvalidDataException">The path would leave <paramref name="root"/>.</exception>
    public static string Under(string root, params string[] parts)
    {
        var full = Path.GetFullPath(root);
        var path = Path.GetFullPath(Path.Combine([full, .. parts]));
        var prefix = full.EndsWith(Path.DirectorySeparatorChar) ? full : full + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal) && parts.All(p => p.Length > 0 && !Path.IsPathRooted(p))
            ? path
            : throw new InvalidDataException($"{Names.Printable(string.Join("/", parts))}: not a path inside {full}");
    }
}
