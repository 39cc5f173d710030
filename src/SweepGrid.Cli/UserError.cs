namespace SweepGrid.Cli;

/// <summary>Input the user must fix. Printed as one line per problem; exit code 2; nothing written.</summary>
internal sealed class UserError(IReadOnlyList<string> lines) : Exception(string.Join(Environment.NewLine, lines))
{
    public UserError(string line)
        : this([line])
    {
    }

    public IReadOnlyList<string> Lines { get; } = lines;
}
