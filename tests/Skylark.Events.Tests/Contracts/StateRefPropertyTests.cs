using CsCheck;
using Skylark.Events.Contracts;

namespace Skylark.Events.Tests.Contracts;

/// <summary>StateRef's text form, checked over generated segments rather than a handful of examples.</summary>
public sealed class StateRefPropertyTests
{
    private const string First = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    private static readonly Gen<string> Segment =
        Gen.Select(Gen.Char[First], Gen.Char[First + "."].Array[0, StateRef.MaxSegmentLength - 1], (head, tail) => head + new string(tail));

    private static readonly Gen<StateRef> StateRefs = Gen.Select(Segment, Segment, Segment, (node, workflow, bundle) => new StateRef(node, workflow, bundle));

    [Fact]
    public void Formatting_then_parsing_gives_the_same_state_ref() =>
        StateRefs.Sample(stateRef => Assert.Equal(stateRef, StateRef.Parse(stateRef.ToString())), iter: 500);

    [Fact]
    public void Parse_and_TryParse_agree_on_any_text_and_only_ever_reject_with_a_format_exception() =>
        Gen.OneOf(Gen.String, Gen.Char["ab./-_é \0"].Array[0, 12].Select(c => new string(c)), StateRefs.Select(s => s.ToString()))
            .Sample(text =>
            {
                var parsed = StateRef.TryParse(text, out var stateRef, out var error);
                var thrown = Record.Exception(() => StateRef.Parse(text));

                if (parsed)
                {
                    Assert.Null(thrown);
                    Assert.Equal(text, stateRef!.ToString());
                }
                else
                {
                    Assert.Equal(error, Assert.IsType<FormatException>(thrown).Message);
                }
            }, iter: 500);
}
