namespace SweepGrid.Cli.Output;

/// <summary>The one HTML escape of the report and the dashboard.</summary>
internal static class Html
{
    /// <summary>
    /// Escapes text for element content and quoted attribute values. Markup only: the pages are UTF-8,
    /// so ±, ‖ and Greek letters stay readable in the source.
    /// </summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;");
}
