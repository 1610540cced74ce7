namespace Skylark.Events.State;

/// <summary>Placeholder so the project builds; the state work fills this library.</summary>
internal static class StateKeys
{
    public const string Prefix = "skylark";
}
