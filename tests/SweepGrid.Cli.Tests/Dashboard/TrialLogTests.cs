using SweepGrid.Cli.Dashboard;

namespace SweepGrid.Cli.Tests.Dashboard;

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
    public void A_store_without_logs_has_no_lines()
    {
        Assert.Empty(TrialLog.Read(Dir, "s", Trial));
    }
}
