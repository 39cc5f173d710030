namespace SweepGrid.Core.Sweeps;

/// <summary>One problem in a sweep file: the HOCON path of the key and what is wrong with its value.</summary>
public sealed record ValidationError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A sweep file that must not run. Carries every problem found, not just the first.</summary>
public sealed class SweepValidationException(string sweepFile, IReadOnlyList<ValidationError> errors)
    : Exception(Format(sweepFile, errors))
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors;

    private static string Format(string source, IReadOnlyList<ValidationError> errors) =>
        string.Join(Environment.NewLine, errors.Select(e => $"{source}: {e}"));
}
