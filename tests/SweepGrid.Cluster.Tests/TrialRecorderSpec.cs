using Microsoft.Data.Sqlite;
using SweepGrid.Cluster.Recording;
using SweepGrid.Core.Results;
using static SweepGrid.Cluster.Recording.TrialRecorderProtocol;

namespace SweepGrid.Cluster.Tests;

/// <summary>
/// The recorder takes an attempt's numbered reports in order, exactly once, against a real SQLite
/// journal: a report sent again is acknowledged and not journaled twice, one that skips a number waits
/// for the missing one.
/// </summary>
public sealed class TrialRecorderSpec : StoreTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public TrialRecorderSpec()
    {
        Results.Register(TestStores.Trials("rec", seeds: 1));
    }

    private string Trial => (string)Results.Read.Rows("trials", "rec")[0]["trial"]!;

    private static EpochRecord Epoch(int epoch) => new(epoch, epoch * 8L, 0.05, 1.0 / epoch, 0.6, 1.1 / epoch, 0.55, 0.3 * epoch, epoch);

    [Fact]
    public void Reports_are_journaled_once_in_order_whatever_is_sent_again()
    {
        var recorder = Sys.ActorOf(TrialRecorderProtocol.Props("rec", Trial, Results));
        recorder.Tell(new RecordEpoch(1, 1, Epoch(1)), TestActor);
        ExpectMsg(new Recorded(Trial, 1, 1), Wait);
        recorder.Tell(new RecordEpoch(1, 1, Epoch(1)), TestActor); // its acknowledgement was lost: sent again
        ExpectMsg(new Recorded(Trial, 1, 1), Wait);
        recorder.Tell(new RecordEpoch(1, 3, Epoch(3)), TestActor); // 2 was lost: 3 must wait
        ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        recorder.Tell(new RecordEpoch(1, 2, Epoch(2)), TestActor);
        recorder.Tell(new RecordEpoch(1, 3, Epoch(3)), TestActor);
        ExpectMsg(new Recorded(Trial, 1, 2), Wait);
        ExpectMsg(new Recorded(Trial, 1, 3), Wait);
        // A new attempt numbers its reports from 1 again.
        recorder.Tell(new RecordEpoch(2, 1, Epoch(1)), TestActor);
        ExpectMsg(new Recorded(Trial, 2, 1), Wait);

        Assert.Equal([1L, 2L, 3L], Results.Read.Rows("epochs", "rec").Select(r => (long)r["epoch"]!));
        Assert.Equal(4L, JournalCount());
    }

    [Fact]
    public void A_new_recorder_knows_what_its_predecessor_journaled()
    {
        var first = Sys.ActorOf(TrialRecorderProtocol.Props("rec", Trial, Results));
        first.Tell(new RecordEpoch(1, 1, Epoch(1)), TestActor);
        ExpectMsg(new Recorded(Trial, 1, 1), Wait);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first, Wait);

        var second = Sys.ActorOf(TrialRecorderProtocol.Props("rec", Trial, Results));
        second.Tell(new RecordEpoch(1, 1, Epoch(1)), TestActor);
        second.Tell(new RecordEpoch(1, 2, Epoch(2)), TestActor);
        ExpectMsg(new Recorded(Trial, 1, 1), Wait);
        ExpectMsg(new Recorded(Trial, 1, 2), Wait);
        Assert.Equal(2L, JournalCount());
    }

    [Fact]
    public void A_spectrum_is_journaled_under_its_own_manifest_and_stored_node_by_node()
    {
        var recorder = Sys.ActorOf(TrialRecorderProtocol.Props("rec", Trial, Results));
        var spectrum = new SpectrumRecord(1, [new SpectrumNode(0, -0.5, 0.25), new SpectrumNode(0, 12, 0.75)]);
        recorder.Tell(new RecordEpoch(1, 1, Epoch(1)), TestActor);
        recorder.Tell(new RecordSpectrum(1, 2, spectrum), TestActor);
        ExpectMsg(new Recorded(Trial, 1, 1), Wait);
        ExpectMsg(new Recorded(Trial, 1, 2), Wait);

        Assert.Equal([(-0.5, 0.25), (12.0, 0.75)], Results.Read.Rows("spectrum", "rec").Select(r => ((double)r["eigenvalue"]!, (double)r["weight"]!)));
        using var connection = new SqliteConnection($"Data Source={Store.JournalPath};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT manifest FROM journal WHERE persistence_id = '{PersistenceIds.Trial("rec", Trial)}' ORDER BY sequence_number;";
        using var reader = command.ExecuteReader();
        var manifests = new List<string>();
        while (reader.Read()) manifests.Add(reader.GetString(0));
        Assert.Equal(["epoch-recorded", "spectrum-recorded"], manifests);
    }

    [Fact]
    public void Once_a_newer_attempt_has_reported_an_older_one_is_refused_and_stays_refused_after_a_restart()
    {
        var first = Sys.ActorOf(TrialRecorderProtocol.Props("rec", Trial, Results));
        first.Tell(new RecordEpoch(2, 1, Epoch(1)), TestActor);
        first.Tell(new RecordEpoch(3, 1, Epoch(2)), TestActor);
        ExpectMsg(new Recorded(Trial, 2, 1), Wait);
        ExpectMsg(new Recorded(Trial, 3, 1), Wait);
        first.Tell(new RecordEpoch(2, 2, Epoch(2)), TestActor);
        ExpectMsg(new Superseded(Trial, 2, 3), Wait);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first, Wait);

        var second = Sys.ActorOf(TrialRecorderProtocol.Props("rec", Trial, Results));
        second.Tell(new RecordEpoch(2, 2, Epoch(2)), TestActor);
        second.Tell(new RecordOutcome(2, 3, new TrialOutcome(TrialStatus.Completed, Epoch(2), 16, 2, null)), TestActor);

        ExpectMsg(new Superseded(Trial, 2, 3), Wait);
        ExpectMsg(new Superseded(Trial, 2, 3), Wait);
        Assert.Equal(2L, JournalCount());
        Assert.Equal([(1L, 2L), (2L, 3L)], Results.Read.Rows("epochs", "rec").Select(r => ((long)r["epoch"]!, (long)r["attempt"]!)));
        Assert.Null(Results.Read.Outcome("rec", Trial));
    }

    [Fact]
    public void A_recorder_that_knows_only_a_superseded_attempt_is_refused_by_the_store_and_the_sender_is_told()
    {
        // The recorder of a node that was frozen: it saw attempt 2 only, while the coordinator assigned attempt 3.
        var stale = Sys.ActorOf(TrialRecorderProtocol.Props("rec", Trial, Results));
        stale.Tell(new RecordEpoch(2, 1, Epoch(1)), TestActor);
        ExpectMsg(new Recorded(Trial, 2, 1), Wait);
        Results.Write.Status("rec", Trial, TrialStatus.Running, 3, null, "other:1/slot-0");

        stale.Tell(new RecordEpoch(2, 1, Epoch(1)), TestActor); // sent again after waking up
        stale.Tell(new RecordEpoch(2, 2, Epoch(2)), TestActor);
        stale.Tell(new RecordOutcome(2, 3, new TrialOutcome(TrialStatus.Completed, Epoch(2), 16, 2, null)), TestActor);

        ExpectMsg(new Superseded(Trial, 2, 3), Wait);
        ExpectMsg(new Superseded(Trial, 2, 3), Wait);
        ExpectMsg(new Superseded(Trial, 2, 3), Wait);
        Assert.Equal([(1L, 2L)], Results.Read.Rows("epochs", "rec").Select(r => ((long)r["epoch"]!, (long)r["attempt"]!)));
        Assert.Null(Results.Read.Outcome("rec", Trial));
        Assert.Equal(1L, JournalCount()); // refused before the journal once the fence knew
    }

    private long JournalCount()
    {
        using var connection = new SqliteConnection($"Data Source={Store.JournalPath};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM journal WHERE persistence_id = '{PersistenceIds.Trial("rec", Trial)}';";
        return (long)command.ExecuteScalar()!;
    }
}
