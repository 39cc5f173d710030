using SweepGrid.Cli;

return await Cli.InvokeAsync(args, Console.Out, Console.Error);
