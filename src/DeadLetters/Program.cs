using Skylark.Events.DeadLetters;
using Skylark.Events.Hosting;

// Settings: docs/dead-letters.md (SKYLARK_DEAD_LETTER_LOG, SKYLARK_MAX_EVENT_BYTES, PORT).
return await SkylarkService.RunAsync(
    "dead-letters",
    args,
    builder => builder.Services.AddDeadLetters(builder.Configuration),
    app => app.MapDeadLetters());
