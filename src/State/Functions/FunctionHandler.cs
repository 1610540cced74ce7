namespace Skylark.Events.State.Functions;

/// <summary>A function's logic: consume one delivery, return the reply to send.</summary>
public delegate Task<FunctionResult> FunctionHandler(FunctionInvocation invocation, CancellationToken cancellationToken);
