using SweepGrid.Core.Slots;

namespace SweepGrid.Core.Tests;

/// <summary>What a slot's worker's death means, decided without actors or processes.</summary>
public sealed class WorkerHealthTests
{
    private const int Killed = 128 + 9, Aborted = 128 + 6;

    [Fact]
    public void Workers_that_keep_dying_wait_longer_each_time_up_to_a_minute()
    {
        Assert.Equal([0, 1, 2, 4, 8, 16, 32, 60, 60], new[] { 0, 1, 2, 3, 4, 5, 6, 7, 30 }.Select(d => WorkerHealth.Backoff(d).TotalSeconds));
        var health = WorkerHealth.Fresh;
        var pauses = new List<double>();
        for (int i = 0; i < 4; i++)
        {
            (health, var verdict) = health.Died(WorkerPhase.Idle, leaving: false, Killed, null);
            pauses.Add(Assert.IsType<WorkerVerdict.Restart>(verdict).Pause.TotalSeconds);
        }

        Assert.Equal([1, 2, 4, 8], pauses);
    }

    [Fact]
    public void A_death_under_a_trial_charges_the_trial_with_its_cause_and_one_after_it_blames_nobody()
    {
        var (health, verdict) = WorkerHealth.Fresh.Died(WorkerPhase.UnderTrial, leaving: false, Killed, "Killed");
        var charge = Assert.IsType<WorkerVerdict.ChargeTrial>(verdict);
        Assert.Contains("signal 9 (killed: out of memory?", charge.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), charge.Pause);
        Assert.Equal(1, health.DeathsInRow);

        var (after, late) = health.Died(WorkerPhase.AfterTrial, leaving: false, Aborted, null);
        Assert.IsType<WorkerVerdict.Replace>(late);
        Assert.Equal(health, after);
    }

    [Fact]
    public void A_worker_taken_down_by_its_node_shutting_down_hands_the_trial_back_uncharged()
    {
        var (health, verdict) = WorkerHealth.Fresh.Died(WorkerPhase.UnderTrial, leaving: true, 128 + 15, null);
        Assert.IsType<WorkerVerdict.HandBack>(verdict);
        Assert.Equal(WorkerHealth.Fresh, health);
    }

    [Fact]
    public void A_trial_that_ends_resets_the_deaths_and_a_ready_worker_resets_the_failed_starts()
    {
        var (health, _) = WorkerHealth.Fresh.Died(WorkerPhase.UnderTrial, leaving: false, Killed, null);
        (health, _) = health.Died(WorkerPhase.Starting, leaving: false, Aborted, null);
        Assert.Equal(new WorkerHealth(2, 1), health);
        Assert.Equal(new WorkerHealth(2, 0), health.Ready());
        Assert.Equal(new WorkerHealth(0, 1), health.TrialEnded());
    }

    [Fact]
    public void Three_failed_starts_in_a_row_take_the_slot_out_of_service_with_the_last_cause()
    {
        var health = WorkerHealth.Fresh;
        var verdicts = new List<WorkerVerdict>();
        for (int i = 0; i < WorkerHealth.StartAttempts; i++)
        {
            (health, var verdict) = health.Died(WorkerPhase.Starting, leaving: false, Aborted, "Failed to load native component libLibTorchSharp.so");
            verdicts.Add(verdict);
        }

        Assert.All(verdicts.Take(2), v => Assert.IsType<WorkerVerdict.Restart>(v));
        var broken = Assert.IsType<WorkerVerdict.OutOfService>(verdicts[^1]);
        Assert.Contains("died 3 times before it was ready", broken.Reason);
        Assert.Contains("libLibTorchSharp.so", broken.Reason);
    }
}
