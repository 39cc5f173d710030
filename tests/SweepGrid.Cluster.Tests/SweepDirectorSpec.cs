using Akka.Actor;
using Akka.TestKit;
using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Core.Sweeps;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;
using static SweepGrid.Cluster.Coordination.SweepDirectorProtocol;

namespace SweepGrid.Cluster.Tests;

/// <summary>The director against a real SQLite journal: submissions by reference, checked before anything is stored.</summary>
public sealed class SweepDirectorSpec : StoreTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>What a coordinator node does with a submitted sweep: its (synthetic) data's headers, a limit of 50 trials.</summary>
    private static SweepDefinition Define(SweepSpec spec) =>
        SweepDefinition.Create(spec, new DatasetFacts(spec.Dataset.Synthetic.TrainSize, spec.Dataset.Synthetic.TestSize, spec.Dataset.Synthetic.Features, spec.Dataset.Synthetic.Classes), maxTrials: 50);

    private IActorRef StartDirector(ActorSystem system) => system.ActorOf(SweepDirectorProtocol.Props(Results, Define), "director");

    private object Submit(ActorSystem system, IActorRef director, string text)
    {
        var client = CreateTestProbe(system);
        director.Tell(new SubmitSweep("submitted.hocon", text), client);
        return client.ExpectMsg<object>(Wait);
    }

    private SweepProgress Follow(ActorSystem system, IActorRef director, string sweep)
    {
        var follower = CreateTestProbe(system);
        director.Tell(new SubscribeSweep(sweep, follower));
        return follower.ExpectMsg<SweepProgress>(Wait);
    }

    [Fact]
    public async Task A_sweep_named_like_the_director_neither_breaks_it_nor_loses_the_next_submission()
    {
        var named = TestStores.Text("director", seeds: 2);
        var next = TestStores.Text("next", seeds: 3);
        var first = ActorSystem.Create("first", NodeConfig.Local(Store));
        try
        {
            var director = StartDirector(first);
            Assert.Equal(new Submitted(2, 2, 0), Submit(first, director, named));
            Assert.Equal(new Submitted(3, 3, 0), Submit(first, director, next));
        }
        finally
        {
            await first.Terminate().WaitAsync(Wait);
        }

        // A new incarnation (as after a hand-over) recovers both sweeps from its own journal.
        var second = ActorSystem.Create("second", NodeConfig.Local(Store));
        try
        {
            var director = StartDirector(second);
            Assert.Equal(2, Follow(second, director, "director").Counts.Pending);
            Assert.Equal(3, Follow(second, director, "next").Counts.Pending);
            Assert.Equal(new Submitted(0, 3, 0), Submit(second, director, next));
        }
        finally
        {
            await second.Terminate().WaitAsync(Wait);
        }

        Assert.NotEqual(PersistenceIds.Director, PersistenceIds.Sweep("director"));
    }

    /// <summary>
    /// A slot asks for work after losing its trial (it restarted) and its request goes, by fair share, to
    /// the other sweep: the sweep that lost the trial must still learn of it, or the trial would count as
    /// running for ever and its sweep never finish (before fair share every request went to the one sweep
    /// with trials running, which saw the request itself).
    /// </summary>
    [Fact]
    public void A_trial_lost_on_a_slot_whose_next_request_goes_to_another_sweep_is_requeued()
    {
        var director = StartDirector(Sys);
        Assert.Equal(new Submitted(1, 1, 0), Submit(Sys, director, TestStores.Text("first", seeds: 1)));
        Assert.Equal(new Submitted(2, 2, 0), Submit(Sys, director, TestStores.Text("second", seeds: 2)));
        var followers = new[] { "first", "second" }.ToDictionary(s => s, s =>
        {
            var follower = CreateTestProbe();
            director.Tell(new SubscribeSweep(s, follower));
            follower.ExpectMsg<SweepProgress>(Wait);
            return follower;
        });
        var slot = CreateTestProbe();

        director.Tell(new RequestWork("slot-0"), slot);
        var lost = slot.ExpectMsg<Assignment>(Wait).Trial;
        // The director heard of the start before the follower did (it subscribed first).
        followers[lost.SweepName].FishForMessage(m => m is TrialStarted, Wait);
        director.Tell(new RequestWork("slot-0"), slot); // restarted: it reports nothing

        var next = slot.ExpectMsg<Assignment>(Wait).Trial;
        Assert.Equal(("first", "second"), (lost.SweepName, next.SweepName)); // first (the older) had one trial, now taken
        var requeued = (TrialSettled)followers[lost.SweepName].FishForMessage(m => m is TrialSettled, Wait);
        Assert.Equal((lost.TrialId, TrialStatus.Pending, "slot slot-0 was lost"), (requeued.TrialId, requeued.Status, requeued.Reason));
    }

    [Fact]
    public void A_sweep_over_the_limit_is_refused_as_bad_input_and_nothing_is_stored()
    {
        var director = StartDirector(Sys);

        var rejected = Assert.IsType<SubmitRejected>(Submit(Sys, director, TestStores.Text("large", seeds: 51)));

        Assert.True(rejected.BadInput);
        Assert.StartsWith("sweep.grid: 51 trials", Assert.Single(rejected.Errors));
        Assert.Empty(Results.Read.Sweeps());
        var follower = CreateTestProbe();
        director.Tell(new SubscribeSweep("large", follower));
        Assert.Empty(follower.ExpectMsg<UnknownSweep>(Wait).Known);
    }

    [Fact]
    public void A_malformed_control_from_the_wire_is_refused_and_the_sweep_is_untouched()
    {
        var director = StartDirector(Sys);
        Assert.IsType<Submitted>(Submit(Sys, director, TestStores.Text("held", seeds: 2)));
        var client = CreateTestProbe();

        // What a hostile or broken peer could send once deserialized: missing fields, an unknown kind, a bad priority.
        foreach (var control in new[]
                 {
                     new ControlSweep("held", null!), new ControlSweep(null!, SweepControl.Pause), new ControlSweep("../x", SweepControl.Pause),
                     new ControlSweep("held", new SweepControl((SweepControlKind)42)), new ControlSweep("held", new SweepControl(SweepControlKind.Priority, 0)),
                 })
        {
            director.Tell(control, client);
            Assert.NotEmpty(client.ExpectMsg<ControlRefused>(Wait).Reason);
        }

        director.Tell(new ControlSweep("held", SweepControl.SetPriority(4)), client);
        var controlled = client.ExpectMsg<SweepControlled>(Wait);
        Assert.Equal((SweepStanding.Open, 4, true), (controlled.Standing, controlled.Priority, controlled.Changed));
        Assert.Equal(2, Follow(Sys, director, "held").Count(TrialStatus.Pending));
    }

    [Fact]
    public void A_slot_waiting_on_a_sweep_that_is_paused_goes_to_another_sweep_with_work()
    {
        var director = StartDirector(Sys);
        Assert.IsType<Submitted>(Submit(Sys, director, TestStores.Text("first", seeds: 1)));
        var busy = CreateTestProbe();
        director.Tell(new RequestWork("busy"), busy);
        busy.ExpectMsg<Assignment>(Wait);
        // first has nothing pending now: this slot waits at the director, then goes where work appears.
        var waiting = CreateTestProbe();
        director.Tell(new RequestWork("waiting"), waiting);
        waiting.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        var client = CreateTestProbe();
        director.Tell(new ControlSweep("first", SweepControl.Pause), client);
        Assert.Equal(SweepStanding.Paused, client.ExpectMsg<SweepControlled>(Wait).Standing);

        // The paused sweep's running trial is told to stop; the other sweep gets the waiting slot.
        var stop = busy.ExpectMsg<StopAttempt>(Wait);
        Assert.Equal(1, stop.Attempt);
        Assert.IsType<Submitted>(Submit(Sys, director, TestStores.Text("second", seeds: 1)));
        Assert.Equal("second", waiting.ExpectMsg<Assignment>(Wait).Trial.SweepName);
    }

    [Fact]
    public void A_slot_that_asked_before_any_sweep_existed_gets_the_first_trial_of_the_next_one_without_asking_again()
    {
        var director = StartDirector(Sys);
        var slot = CreateTestProbe();
        director.Tell(new RequestWork("early"), slot);
        slot.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        var definition = TestStores.Definition("first", seeds: 2);
        Assert.Equal(new Submitted(1, 1, 0), Submit(Sys, director, TestStores.Text("first", seeds: 1)));

        var assignment = slot.ExpectMsg<Assignment>(Wait);
        Assert.Equal((definition.Expand()[0].TrialId, 1), (assignment.Trial.TrialId, assignment.Attempt));
    }

    [Fact]
    public void A_submitter_that_follows_gets_the_answer_then_the_end_of_every_trial_even_of_trials_that_end_at_once()
    {
        var director = StartDirector(Sys);
        // A slot that ends each trial the moment it gets it, waiting before the sweep exists: its first
        // trial ends before a client that subscribed on getting the answer could have.
        var slot = CreateTestProbe();
        slot.SetAutoPilot(new DelegateAutoPilot((coordinator, message) =>
        {
            if (message is Assignment a)
            {
                coordinator.Tell(new ReportFinished(a.Trial.TrialId, a.Attempt, TrialStatus.Completed, null), slot.Ref);
                coordinator.Tell(new RequestWork("fast", Reported: new ReportedAttempt(a.Trial.TrialId, a.Attempt)), slot.Ref);
            }

            return AutoPilot.KeepRunning;
        }));
        director.Tell(new RequestWork("fast"), slot);

        var client = CreateTestProbe();
        director.Tell(new SubmitSweep("followed.hocon", TestStores.Text("followed", seeds: 5), Follow: true), client);

        Assert.Equal(new Submitted(5, 5, 0), client.ExpectMsg<object>(Wait));
        var settled = new List<string>();
        var final = (SweepFinished)client.FishForMessage(m =>
        {
            if (m is TrialSettled s) settled.Add(s.TrialId);
            return m is SweepFinished;
        }, Wait);
        Assert.Equal(TestStores.Definition("followed", seeds: 5).Expand().Select(t => t.TrialId).Order(), settled.Order());
        Assert.Equal(5, final.Final.Count(TrialStatus.Completed));
    }

    [Fact]
    public void A_submitted_file_is_parsed_and_checked_on_the_cluster_whatever_the_client_claims()
    {
        var director = StartDirector(Sys);

        var traversal = Assert.IsType<SubmitRejected>(Submit(Sys, director, TestStores.Text("..", seeds: 1)));
        var nested = Assert.IsType<SubmitRejected>(Submit(Sys, director, "sweep { a = " + string.Concat(Enumerable.Repeat("{ b = ", 5000)) + "1" + new string('}', 5001)));
        var include = Assert.IsType<SubmitRejected>(Submit(Sys, director, "include \"/etc/passwd\"\n" + TestStores.Text("inc", seeds: 1)));

        Assert.True(traversal.BadInput && nested.BadInput && include.BadInput);
        Assert.StartsWith("sweep.name: must start with a letter or digit", Assert.Single(traversal.Errors));
        Assert.Contains("nested more than 32 levels deep", Assert.Single(nested.Errors));
        Assert.Contains("include is not allowed", Assert.Single(include.Errors));
        Assert.Empty(Results.Read.Sweeps());
    }

    [Fact]
    public async Task Run_s_director_opens_only_the_sweep_submitted_to_it_not_the_unfinished_ones_its_store_holds()
    {
        var old = TestStores.Text("old", seeds: 3);
        var first = ActorSystem.Create("first", NodeConfig.Local(Store));
        try
        {
            Assert.Equal(new Submitted(3, 3, 0), Submit(first, StartDirector(first), old));
        }
        finally
        {
            await first.Terminate().WaitAsync(Wait);
        }

        // `run` of another sweep on the same store: the old sweep's trials stay pending for its own resume.
        var director = Sys.ActorOf(SweepDirectorProtocol.Props(Results, Define, openAll: false), "director");
        var slot = CreateTestProbe();
        director.Tell(new RequestWork("slot-0"), slot);
        slot.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        var runner = CreateTestProbe();
        var definition = TestStores.Definition("new", seeds: 2);
        director.Tell(new SubmitDefinition(definition), runner);

        Assert.Equal(new Submitted(2, 2, 0), runner.ExpectMsg<Submitted>(Wait));
        Assert.Equal(definition.Expand()[0].TrialId, slot.ExpectMsg<Assignment>(Wait).Trial.TrialId);
        Assert.Equal(2, runner.FishForMessage<SweepProgress>(_ => true, Wait).Counts.Total);
        // Submitted again by its own `resume`, the old sweep opens where it stood.
        director.Tell(new SubmitDefinition(TestStores.Definition("old", seeds: 3)), runner);
        Assert.Equal(new Submitted(0, 3, 0), runner.FishForMessage<Submitted>(_ => true, Wait));
    }
}
