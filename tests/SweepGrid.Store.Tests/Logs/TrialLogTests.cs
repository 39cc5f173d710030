using SweepGrid.Store.Logs;

namespace SweepGrid.Store.Tests.Logs;

/// <summary>A trial's lines and attempts from log files in the format the store's logs have (compact JSON), written by hand.</summary>
public sealed class TrialLogTests : TempDirectoryTest
{
    private const string Trial = "0123456789ab";

    private static string Event(string time, string template, string properties, string level = "") =>
        $"{{\"@t\":\"{time}\",\"@mt\":\"{template}\"{(level.Length > 0 ? $",\"@l\":\"{level}\"" : "")},{properties}}}";

    private void WriteLogs()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Dir, "logs")).FullName;
        string Ids(string trial = Trial, string sweep = "s") => $"\"TrialId\":\"{trial}\",\"SweepId\":\"{sweep}\"";
        File.WriteAllLines(Path.Combine(folder, "node-a-20261201.log"),
        [
            Event("2026-12-01T10:00:00Z", "Trial {TrialId} of sweep {SweepId}: attempt {Attempt} started on {Slot}", $"{Ids()},\"Attempt\":1,\"Slot\":\"10.0.0.5:4053/slot-0\""),
            Event("2026-12-01T10:05:00Z", "Trial {TrialId} of sweep {SweepId}: attempt {Attempt} crashed on {Slot}: {Reason}",
                $"{Ids()},\"Attempt\":1,\"Slot\":\"10.0.0.5:4053/slot-0\",\"Reason\":\"worker killed by SIGKILL\"", "Error"),
            Event("2026-12-01T10:01:00Z", "Trial {TrialId} of sweep {SweepId}: attempt {Attempt} started on {Slot}", $"{Ids("ba9876543210")},\"Attempt\":1,\"Slot\":\"x\""),
            Event("2026-12-01T10:02:00Z", "Trial {TrialId} of sweep {SweepId}: attempt {Attempt} started on {Slot}", $"{Ids(sweep: "other")},\"Attempt\":7,\"Slot\":\"y\""),
            "{\"@t\":\"2026-12-01T10:03:00Z\",\"TrialId\":\"" + Trial + "\", this is not json",
            Event("not a time", "Trial {TrialId}", Ids()),
        ]);
        File.WriteAllLines(Path.Combine(folder, "node-b-20261201.log"),
        [
            Event("2026-12-01T10:06:00Z", "Trial {TrialId} of sweep {SweepId}: attempt {Attempt} started on {Slot}", $"{Ids()},\"Attempt\":2,\"Slot\":\"10.0.0.6:4053/slot-1\""),
            Event("2026-12-01T10:09:30Z", "Trial {TrialId} of sweep {SweepId}: attempt {Attempt} {Status} after {Seconds:F1} s",
                $"{Ids()},\"Attempt\":2,\"Status\":\"Completed\",\"Seconds\":209.98"),
        ]);
    }

    [Fact]
    public void The_trials_lines_from_every_log_file_in_time_order_with_their_messages_filled_in()
    {
        WriteLogs();

        var lines = TrialLog.Read(Dir, "s", Trial);

        Assert.Equal(
        [
            $"Trial {Trial} of sweep s: attempt 1 started on 10.0.0.5:4053/slot-0",
            $"Trial {Trial} of sweep s: attempt 1 crashed on 10.0.0.5:4053/slot-0: worker killed by SIGKILL",
            $"Trial {Trial} of sweep s: attempt 2 started on 10.0.0.6:4053/slot-1",
            $"Trial {Trial} of sweep s: attempt 2 Completed after 210.0 s",
        ], lines.Select(l => l.Message));
        Assert.Equal("Error", lines[1].Level);
        Assert.Equal("Information", lines[0].Level);
    }

    [Fact]
    public void Attempts_say_where_each_ran_and_how_it_ended()
    {
        WriteLogs();

        var attempts = TrialLog.Attempts(TrialLog.Read(Dir, "s", Trial));

        Assert.Equal(2, attempts.Count);
        Assert.Equal((1L, "10.0.0.5:4053/slot-0", "crashed", "worker killed by SIGKILL"), (attempts[0].Number, attempts[0].Slot, attempts[0].Outcome, attempts[0].Reason));
        Assert.Equal((2L, "10.0.0.6:4053/slot-1", "Completed", (string?)null), (attempts[1].Number, attempts[1].Slot, attempts[1].Outcome, attempts[1].Reason));
        Assert.Equal(TimeSpan.FromSeconds(210), attempts[1].Last - attempts[1].Started);
    }

    [Fact]
    public void The_index_reads_only_what_was_appended_and_a_line_once_it_is_whole()
    {
        WriteLogs();
        var index = new TrialLogIndex(Dir);
        var logs = Path.Combine(Dir, "logs");
        long total = Directory.GetFiles(logs).Sum(f => new FileInfo(f).Length);
        Assert.Equal(4, index.Read("s", Trial).Count);
        Assert.Equal(total, index.IndexedBytes);

        // A whole line, then one still being written (no newline yet), as a node appends them.
        var file = Path.Combine(logs, "node-b-20261201.log");
        var whole = Event("2026-12-01T10:10:00Z", "Trial {TrialId} of sweep {SweepId}: looked at", $"\"TrialId\":\"{Trial}\",\"SweepId\":\"s\"") + "\n";
        var started = Event("2026-12-01T10:11:00Z", "Trial {TrialId} of sweep {SweepId}: half", $"\"TrialId\":\"{Trial}\",\"SweepId\":\"s\"");
        File.AppendAllText(file, whole + started[..40]);
        var afterAppend = index.Read("s", Trial);
        long appended = System.Text.Encoding.UTF8.GetByteCount(whole + started[..40]);

        Assert.Equal(total + appended, index.IndexedBytes);
        Assert.Equal($"Trial {Trial} of sweep s: looked at", afterAppend[^1].Message);
        Assert.Equal(5, afterAppend.Count);

        File.AppendAllText(file, started[40..] + "\n");
        Assert.Equal($"Trial {Trial} of sweep s: half", index.Read("s", Trial)[^1].Message);
    }

    [Fact]
    public void The_index_reads_a_file_that_shrank_again_from_its_start()
    {
        WriteLogs();
        var index = new TrialLogIndex(Dir);
        Assert.Equal(4, index.Read("s", Trial).Count);

        // node-a's file replaced by a shorter one: its two lines about the trial are gone, one new one is there.
        File.WriteAllText(Path.Combine(Dir, "logs", "node-a-20261201.log"),
            Event("2026-12-01T11:00:00Z", "Trial {TrialId} of sweep {SweepId}: again", $"\"TrialId\":\"{Trial}\",\"SweepId\":\"s\"") + "\n");
        File.Delete(Path.Combine(Dir, "logs", "node-b-20261201.log"));

        Assert.Equal([$"Trial {Trial} of sweep s: again"], index.Read("s", Trial).Select(l => l.Message));
    }

    public static TheoryData<string> Hostile() => [.. HostileFiles.All.Keys.Where(k => k != "directory")];

    /// <summary>A FIFO hung every trial page, a link to /dev/zero grew the dashboard by gigabytes: refused unread, said once.</summary>
    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_log_that_is_not_a_regular_file_is_refused_unread_and_said_once_while_the_others_are_read(string kind)
    {
        WriteLogs();
        var hostile = Path.Combine(Dir, "logs", "node-z-20261201.log");
        HostileFiles.All[kind](hostile);
        var refused = new List<string>();
        var index = new TrialLogIndex(Dir, refused.Add);

        var first = HostileFiles.Within(TimeSpan.FromSeconds(20), () => index.Read("s", Trial));
        var second = HostileFiles.Within(TimeSpan.FromSeconds(20), () => index.Read("s", Trial));

        Assert.Equal(4, first.Count);
        Assert.Equal(4, second.Count);
        var said = Assert.Single(refused);
        Assert.Equal($"store logs: {hostile}: refused, {(kind == "fifo" ? "a FIFO (named pipe)" : "a symbolic link")}", said);
    }

    [Fact]
    public void A_line_longer_than_any_sweepgrid_writes_is_passed_over_without_being_held_and_the_next_is_read()
    {
        WriteLogs();
        var file = Path.Combine(Dir, "logs", "node-b-20261201.log");
        var trialLine = Event("2026-12-01T10:10:00Z", "Trial {TrialId} of sweep {SweepId}: after", $"\"TrialId\":\"{Trial}\",\"SweepId\":\"s\"");
        // An event about the trial, padded past the limit: a line this long is not SweepGrid's.
        var huge = trialLine[..^1] + ",\"Pad\":\"" + new string('x', TrialLogIndex.MaxLineBytes) + "\"}";
        File.AppendAllText(file, huge + "\n" + trialLine + "\n");

        var lines = new TrialLogIndex(Dir).Read("s", Trial);

        Assert.Equal(5, lines.Count);
        Assert.Equal($"Trial {Trial} of sweep s: after", lines[^1].Message);
    }

    [Fact]
    public void A_store_without_logs_has_no_lines()
    {
        Assert.Empty(TrialLog.Read(Dir, "s", Trial));
    }
}
