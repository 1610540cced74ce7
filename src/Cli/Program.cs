return await Skylark.Events.Cli.SkylarkCommandLine.RunAsync(args);
