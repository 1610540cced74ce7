namespace Skylark.Events.Contracts;

/// <summary>Names every component agrees on without configuration.</summary>
public static class SkylarkDefaults
{
    public const string Namespace = "skylark";
    public const string Broker = "default";
}
