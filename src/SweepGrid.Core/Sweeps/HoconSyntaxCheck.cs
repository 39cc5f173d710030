namespace SweepGrid.Core.Sweeps;

/// <summary>
/// Structural check run before Akka's HOCON parser. That parser is lenient: it accepts a missing or
/// extra closing brace silently and never returns on an array closed by '}' ("[1, 2 }"). A sweep
/// file with unbalanced brackets or an unterminated string is rejected here, with line and column.
/// </summary>
internal static class HoconSyntaxCheck
{
    public static ValidationError? Find(string text)
    {
        var open = new Stack<(char Bracket, int Line, int Column)>();
        int line = 1, column = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            column++;
            if (c == '\n')
            {
                line++;
                column = 0;
                continue;
            }

            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }

            if (c == '"')
            {
                bool triple = i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"';
                int end = triple ? text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal) : ClosingQuote(text, i + 1);
                if (end < 0) return Error(line, column, "string is not terminated");
                var skipped = text.AsSpan(i, end + (triple ? 3 : 1) - i);
                int newlines = skipped.Count('\n');
                if (newlines > 0)
                {
                    line += newlines;
                    column = skipped.Length - skipped.LastIndexOf('\n') - 1;
                }
                else
                {
                    column += skipped.Length - 1;
                }

                i = end + (triple ? 2 : 0);
                continue;
            }

            if (c is '{' or '[')
            {
                open.Push((c, line, column));
            }
            else if (c is '}' or ']')
            {
                char expected = c == '}' ? '{' : '[';
                if (open.Count == 0) return Error(line, column, $"'{c}' has no matching opening bracket");
                var top = open.Pop();
                if (top.Bracket != expected)
                {
                    return Error(line, column,
                        $"'{c}' closes the '{top.Bracket}' opened at line {top.Line}, column {top.Column}");
                }
            }
        }

        if (open.Count > 0)
        {
            var top = open.Peek();
            return Error(top.Line, top.Column, $"'{top.Bracket}' is never closed");
        }

        return null;
    }

    private static int ClosingQuote(string text, int from)
    {
        for (int i = from; i < text.Length; i++)
        {
            if (text[i] == '\\') i++;
            else if (text[i] == '"') return i;
            else if (text[i] == '\n') return -1;
        }

        return -1;
    }

    private static ValidationError Error(int line, int column, string message) =>
        new($"line {line}, column {column}", message);
}
