using SweepGrid.Cli;

var exitCode = await Cli.InvokeAsync(args, Console.Out, Console.Error);
await Serilog.Log.CloseAndFlushAsync();
return exitCode;
