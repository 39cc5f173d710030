using System.Text.RegularExpressions;

namespace SweepGrid.Core.Sweeps;

/// <summary>
/// The one rule for the names SweepGrid turns into persistence ids, file names and folders: sweep
/// names and trial ids. Checked wherever they enter (a sweep file, a message from another node, a row
/// of a store) before any path is built from them: a name from the wire or a store is data, not a path.
/// </summary>
public static partial class Names
{
    /// <summary>Long enough for any name a person writes; short enough for every file system and index.</summary>
    public const int MaxSweepName = 64;

    /// <summary>What is wrong with <paramref name="name"/> as a sweep name; null if nothing.</summary>
    public static string? SweepNameProblem(string name) =>
        name.Length == 0 ? "is empty"
        : name.Length > MaxSweepName ? $"is {name.Length} characters long; at most {MaxSweepName}"
        : !SweepName().IsMatch(name) ? "must start with a letter or digit and use only letters, digits, '.', '_' and '-'"
        : null;

    public static bool IsSweepName(string name) => SweepNameProblem(name) is null;

    /// <summary>A trial id as <see cref="Trials.TrialIdentity"/> makes them: 12 lowercase hex digits.</summary>
    public static bool IsTrialId(string id) => TrialId().IsMatch(id);

    /// <summary><paramref name="name"/> if it is a sweep name, else an error naming where it came from.</summary>
    /// <exception cref="InvalidDataException">It is not.</exception>
    public static string SweepName(string name, string source) => SweepNameProblem(name) is { } problem
        ? throw new InvalidDataException($"{source}: sweep name \"{Printable(name)}\" {problem}")
        : name;

    /// <exception cref="InvalidDataException">It is not a trial id.</exception>
    public static string TrialId(string id, string source) => IsTrialId(id)
        ? id
        : throw new InvalidDataException($"{source}: \"{Printable(id)}\" is not a trial id (12 hex digits)");

    /// <summary>A name as it may be shown in a message: at most 80 characters, control characters escaped.</summary>
    public static string Printable(string text)
    {
        var shown = text.Length > 80 ? text[..80] + "…" : text;
        return string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex SweepName();

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex TrialId();
}
