namespace Skylark.Events.Lab.Up;

/// <summary>
/// A function <c>skylark up</c> can place on a node: how to register it in the node's service container (next to the
/// node's state) and how to map its endpoint at a path. Nodes name the functions they host in the topology file.
/// </summary>
public sealed record HostedFunction(string Name, Action<IServiceCollection> Register, Action<IEndpointRouteBuilder, string> Map);
