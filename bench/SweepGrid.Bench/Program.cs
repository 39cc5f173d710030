using System.Diagnostics;
using System.Globalization;
using System.Text;
using SweepGrid.Bench;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Data;
using SweepGrid.Training.Loop;
using TorchSharp;
using static TorchSharp.torch;

// Training-step efficiency (issue 2, bench): achieved FLOP/s of an MLP 784-512-512-10 + batch norm
// training epoch, as a fraction of libtorch's own large-matmul FLOP/s on this machine, for a bare
// TorchSharp loop and for SweepGrid's loop (TrainingSession.TrainEpoch, the code every trial runs).
// Run by hand:  dotnet run -c Release --project bench/SweepGrid.Bench [-- --out FILE]
// Memory across trials:  dotnet run -c Release --project bench/SweepGrid.Bench -- --memory
// Memory over a 100-trial sweep through the actors:  ... -- --memory-sweep
// Dispatch overhead, no-op trials:  ... -- --dispatch 10000 16 0   (PostgreSQL: set SWEEPGRID_POSTGRES)
// Worker process start-up (appended to dispatch.md):  ... -- --worker-startup
// Training efficiency through a worker process (appended to training-efficiency.md):  ... -- --worker-efficiency
// Cluster scale, node processes with no-op trials:  ... -- --scale   (PostgreSQL: set SWEEPGRID_POSTGRES)
// Checkpoint bytes and seconds at epochs 3 to 300 of a long trial:  ... -- --checkpoint-size
// `sweepgrid serve` on a 10,000-trial sweep:  ... -- --dashboard
// TorchSharp's and SweepGrid's optimizer steps while collections are forced:  ... -- --scalar-race
if (args is ["--scalar-race"])
{
    var race = ScalarRaceBench.Run();
    File.WriteAllText(Path.Combine("bench", "results", "scalar-race.md"), race);
    return;
}

if (args is ["--dashboard", ..])
{
    var section = await DashboardBench.RunAsync(trials: args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000);
    Console.Write(section);
    File.WriteAllText(Path.Combine("bench", "results", "dashboard.md"), "# The dashboard at scale\n\n" + section);
    return;
}

if (args is ["--dispatch", ..])
{
    // --dispatch TRIALS SLOTS TRIAL-SECONDS; appends one row to bench/results/dispatch.md.
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
    var row = await DispatchBench.RunAsync(trials: Arg(1, 10_000), slots: Arg(2, 16),
        trialSeconds: args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0);
    var file = Path.Combine("bench", "results", "dispatch.md");
    if (!File.Exists(file)) File.WriteAllText(file, "# Dispatch overhead\n");
    if (!File.ReadAllText(file).Contains(DispatchBench.Section, StringComparison.Ordinal)) File.AppendAllText(file, $"\n{DispatchBench.Section}\n\n{DispatchBench.Header}\n");
    File.AppendAllText(file, row + "\n");
    Console.WriteLine(DispatchBench.Header);
    Console.WriteLine(row);
    return;
}

if (args is ["--worker-efficiency"])
{
    // Appends a section to bench/results/training-efficiency.md.
    var efficiency = WorkerEfficiencyBench.Run();
    Console.Write(efficiency);
    File.AppendAllText(Path.Combine("bench", "results", "training-efficiency.md"), "\n" + efficiency);
    return;
}

if (args is ["--worker-startup"])
{
    // Appends a section to bench/results/dispatch.md.
    var startup = WorkerStartupBench.Run(repeats: 10);
    Console.Write(startup);
    File.AppendAllText(Path.Combine("bench", "results", "dispatch.md"), "\n" + startup);
    return;
}

if (args is ["--scale"])
{
    // Appends a section to bench/results/scale.md (PostgreSQL: set SWEEPGRID_POSTGRES).
    var section = await ScaleBench.RunAsync();
    Console.Write(section);
    var file = Path.Combine("bench", "results", "scale.md");
    if (!File.Exists(file)) File.WriteAllText(file, "# Sweeps at cluster scale\n\n");
    File.AppendAllText(file, section + "\n");
    return;
}

if (args is ["--checkpoint-size"])
{
    var sizes = CheckpointBench.Run();
    Console.Write(sizes);
    File.WriteAllText(Path.Combine("bench", "results", "checkpoint-size.md"), sizes);
    return;
}

if (args is ["--preemption"])
{
    var preemption = PreemptionBench.Run();
    Console.Write(preemption);
    File.WriteAllText(Path.Combine("bench", "results", "preemption.md"), preemption);
    return;
}

if (args is ["--flatness-cost"])
{
    var cost = FlatnessCostBench.Run();
    Console.Write(cost);
    File.WriteAllText(Path.Combine("bench", "results", "flatness-cost.md"), cost);
    return;
}

if (args is ["--memory-sweep", ..])
{
    var sweepMemory = await SweepMemoryBench.RunAsync(trials: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100);
    Console.Write(sweepMemory);
    File.WriteAllText(Path.Combine("bench", "results", "memory-sweep.md"), sweepMemory);
    return;
}

if (args is ["--memory"])
{
    var memory = MemoryBench.Run(trials: 12);
    Console.Write(memory);
    File.WriteAllText(Path.Combine("bench", "results", "memory-across-trials.md"), memory);
    return;
}

var outPath = args.Length == 2 && args[0] == "--out" ? args[1] : Path.Combine("bench", "results", "training-efficiency.md");
const int Samples = 60_000, Features = 784, Classes = 10, Repeats = 7;
int[] batches = [128, 4096];
int threads = Environment.ProcessorCount;
set_num_threads(threads);

var peak = Measure.MatmulPeak(2048, repeats: 10);
var data = Measure.RandomData(Samples, Features, Classes);
// Forward multiply-adds per sample, ×2 FLOP each, ×3 for forward + backward (grad wrt inputs and weights).
double flopsPerSample = 3.0 * 2.0 * (Features * 512 + 512 * 512 + 512 * Classes);

var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"# Training-step efficiency ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {threads} threads, {RuntimeInformationText()}. Matmul 2048² peak: {peak / 1e9:F1} GFLOP/s (best of 10).");
report.AppendLine(CultureInfo.InvariantCulture, $"MLP 784-512-512-10 + batch norm, SGD momentum 0.9, one epoch of {Samples:N0} samples; median of {Repeats} epochs after one warm-up, bare and SweepGrid interleaved (alternating which goes first).");
report.AppendLine(CultureInfo.InvariantCulture, $"FLOP per sample: 3 × forward = {flopsPerSample / 1e6:F2} MFLOP (linear layers only).");
report.AppendLine();
report.AppendLine("| batch | bare s/epoch | SweepGrid s/epoch | bare / peak | SweepGrid / peak | SweepGrid / bare |");
report.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var batch in batches)
{
    var trial = Measure.Trial(batch);
    var bare = new List<double>();
    var ours = new List<double>();
    using var session = new TrainingSession(trial, new DatasetPair(data, data.Take(batch)), CPU, TrainerOptions.Default);
    using var bareLoop = new BareLoop(data, batch);
    for (int r = 0; r <= Repeats; r++)
    {
        // Alternate which loop goes first, so neither always inherits the other's cache and allocator state.
        double b, o;
        if (r % 2 == 0)
        {
            b = Measure.Time(bareLoop.Epoch);
            o = Measure.Time(() => session.TrainEpoch(CancellationToken.None));
        }
        else
        {
            o = Measure.Time(() => session.TrainEpoch(CancellationToken.None));
            b = Measure.Time(bareLoop.Epoch);
        }

        if (r == 0) continue; // warm-up
        bare.Add(b);
        ours.Add(o);
    }

    double bareS = Measure.Median(bare), oursS = Measure.Median(ours);
    long steps = Samples / batch;
    double work = steps * batch * flopsPerSample;
    report.AppendLine(CultureInfo.InvariantCulture,
        $"| {batch} | {bareS:F3} | {oursS:F3} | {work / bareS / peak:F3} | {work / oursS / peak:F3} | {bareS / oursS:F3} |");
}

report.AppendLine();
report.AppendLine("SweepGrid / bare is the bare loop's time over ours: 1.0 means no loss, 0.95 a 5% loss.");
Console.Write(report);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
File.WriteAllText(outPath, report.ToString());
Console.WriteLine($"written to {outPath}");

static string RuntimeInformationText() =>
    $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, TorchSharp {typeof(torch).Assembly.GetName().Version}";
