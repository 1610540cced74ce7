using System.Net;

namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// Traffic of class <see cref="Traffic"/> from <see cref="From"/> to the service at <see cref="Service"/> on node
/// <see cref="To"/> goes through <see cref="ProxyEndPoint"/>.
/// </summary>
public sealed record EmulatedRoute(string From, string To, IPEndPoint Service, IPEndPoint ProxyEndPoint, TrafficClass Traffic);
