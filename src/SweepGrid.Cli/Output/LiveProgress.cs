using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SweepGrid.Cli.Output;

/// <summary>
/// The interactive view of a running sweep (Spectre.Console live display): an overall bar with
/// trials done / running / failed and the ETA, and one row per running trial with its epoch, loss and
/// accuracy. Only used on a terminal; elsewhere <see cref="ProgressPrinter"/> writes plain lines.
/// </summary>
internal sealed class LiveProgress(ProgressModel model, string title)
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(250);

    /// <summary>Redraws until <paramref name="work"/> ends; returns its result.</summary>
    public async Task<T> ShowWhile<T>(IAnsiConsole console, Func<Task<T>> work)
    {
        var clock = Stopwatch.StartNew();
        T result = default!;
        await console.Live(Render(model.Snapshot(TimeSpan.Zero), title))
            .AutoClear(false)
            .StartAsync(async context =>
            {
                var task = work();
                while (!task.IsCompleted)
                {
                    context.UpdateTarget(Render(model.Snapshot(clock.Elapsed), title));
                    await Task.WhenAny(task, Task.Delay(Frame));
                }

                context.UpdateTarget(Render(model.Snapshot(clock.Elapsed), title));
                result = await task;
            });
        return result;
    }

    public static IRenderable Render(ProgressModel.View view, string title)
    {
        var bar = new BreakdownChart().Width(60).HideTags()
            .AddItem("completed", view.Completed, Color.Green)
            .AddItem("diverged", view.Diverged, Color.Yellow)
            .AddItem("failed", view.Failed, Color.Red)
            .AddItem("running", view.RunningCount, Color.Blue)
            .AddItem("pending", Math.Max(0, view.Total - view.Settled - view.RunningCount), Color.Grey23);
        var eta = view.Eta is { } t ? $"ETA {Format(t)}" : "ETA after the first epoch";
        var counts = new Markup(
            $"[bold]{Markup.Escape(title)}[/]  {view.Settled}/{view.Total} done  " +
            $"[green]{view.Completed} completed[/]  [yellow]{view.Diverged} diverged[/]  [red]{view.Failed} failed[/]  " +
            $"[blue]{view.RunningCount} running[/]  {eta}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("trial", "slot", "attempt", "epoch", "train loss", "test acc");
        foreach (var r in view.Running)
        {
            table.AddRow(
                r.TrialId, Markup.Escape(r.Slot), r.Attempt.ToString(CultureInfo.InvariantCulture), $"{r.Epoch}/{r.Epochs}",
                r.TrainLoss?.ToString("F4", CultureInfo.InvariantCulture) ?? "-", r.TestAccuracy?.ToString("F4", CultureInfo.InvariantCulture) ?? "-");
        }

        return new Rows(counts, bar, table);
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1
        ? $"{(int)t.TotalHours}h{t.Minutes:D2}m"
        : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:D2}s" : $"{t.Seconds}s";
}
