using System.Text;

namespace SweepGrid.Core.Sweeps;

/// <summary>
/// A pass over the text before Akka's HOCON parser, which is lenient where it should not be and
/// strict where it should not be: it accepts a missing or extra closing brace silently, never
/// returns on an array closed by '}' ("[1, 2 }"), and rejects the comma in "a { x = 1 }, b { y = 2 }"
/// although HOCON allows it. <see cref="Find"/> rejects unbalanced brackets and unterminated strings
/// with line and column; <see cref="Normalize"/> turns a comma after '}' into the newline that
/// separates fields just the same.
/// </summary>
internal static class HoconSyntaxCheck
{
    private readonly record struct Token(int Index, char Char, int Line, int Column);

    /// <summary>
    /// Deeper than any sweep file needs (they nest three or four levels); deep enough nesting overflows
    /// the stack of Akka's recursive parser, which ends the process instead of throwing.
    /// </summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Also refuses an <c>include</c> (a sweep file is self-contained: the file that ran is the file
    /// that was stored; Akka's parser also fails on one with a NullReferenceException) and nesting
    /// beyond <see cref="MaxDepth"/>.
    /// </summary>
    public static ValidationError? Find(string text)
    {
        var open = new Stack<Token>();
        Token? previous = null;
        foreach (var (token, error) in Scan(text))
        {
            if (error is not null) return error;
            if (IsInclude(text, token, previous)) return Error(token, "include is not allowed: a sweep file must hold the whole sweep");
            if (!char.IsWhiteSpace(token.Char)) previous = token;
            if (token.Char is '{' or '[')
            {
                open.Push(token);
                if (open.Count > MaxDepth) return Error(token, $"nested more than {MaxDepth} levels deep");
            }
            else if (token.Char is '}' or ']')
            {
                char expected = token.Char == '}' ? '{' : '[';
                if (open.Count == 0) return Error(token, $"'{token.Char}' has no matching opening bracket");
                var top = open.Pop();
                if (top.Char != expected)
                {
                    return Error(token, $"'{token.Char}' closes the '{top.Char}' opened at line {top.Line}, column {top.Column}");
                }
            }
        }

        return open.Count > 0 ? Error(open.Peek(), $"'{open.Peek().Char}' is never closed") : null;
    }

    /// <summary>Replaces each comma that follows a closing brace (outside strings and comments) with a newline.</summary>
    public static string Normalize(string text)
    {
        var result = new StringBuilder(text);
        char previous = '\0';
        foreach (var (token, error) in Scan(text))
        {
            if (error is not null) break;
            if (token.Char == ',' && previous == '}') result[token.Index] = '\n';
            if (!char.IsWhiteSpace(token.Char)) previous = token.Char;
        }

        return result.ToString();
    }

    /// <summary>The characters outside strings and comments, with their positions; an error ends the scan.</summary>
    private static IEnumerable<(Token Token, ValidationError? Error)> Scan(string text)
    {
        int line = 1, column = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            column++;
            if (c == '\n')
            {
                line++;
                column = 0;
                yield return (new Token(i, c, line, column), null);
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
                if (end < 0)
                {
                    yield return (default, Error(new Token(i, c, line, column), "string is not terminated"));
                    yield break;
                }

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
                // A string is a value: it ends whatever came before (e.g. a '}' seen by Normalize).
                yield return (new Token(i, '"', line, column), null);
                continue;
            }

            yield return (new Token(i, c, line, column), null);
        }
    }

    /// <summary>The word "include" where a key would start: at the start of the text, a line, or after '{' or ','.</summary>
    private static bool IsInclude(string text, Token token, Token? previous) =>
        token.Char == 'i'
        && string.CompareOrdinal(text, token.Index, "include", 0, 7) == 0
        && (token.Index + 7 >= text.Length || !char.IsLetterOrDigit(text[token.Index + 7]) && text[token.Index + 7] != '-')
        && (previous is null || previous.Value.Char is '{' or ',' or '\n' || previous.Value.Line < token.Line);

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

    private static ValidationError Error(Token at, string message) => new($"line {at.Line}, column {at.Column}", message);
}
