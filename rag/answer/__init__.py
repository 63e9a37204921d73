"""From retrieved hits to a verified, cited Answer, one single-purpose step per module:

    evidence   candidate sentences of the retrieved chunks, ranked against the question
    refusal    is there evidence enough to answer at all
    prompting  the model's messages (prompts/), fitted to a counted token budget
    markers    citation markers in generated text
    verify     does a generated claim follow from the sentences it cites
    conflicts  another article giving a different value for the same thing
    assemble   claims + numbered citations -> Answer, and the text rendered from them
    condense   a follow-up question rewritten to stand alone

Pure functions over data; the model and the embedder are passed in.
"""
