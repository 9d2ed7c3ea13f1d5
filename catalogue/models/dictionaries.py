"""Preset dictionaries of the compressed columns (``models.packed``): frozen forever.

A stored value names the dictionary it was compressed with (its first byte), and is read with
that dictionary, so a dictionary is never changed once released: a better one is added under
a new number. Each holds the skeleton of a typical value (keys, tags and constant texts, no
record text), so that even a short record compresses to little more than its own text.
"""

# 1: JSON records (object documents, views, versions, texts in several languages).
JSON_1 = (
    b'{"id":"","object_number":"","status":"public","object_type":{"id":"","label":{"fr":"","e'
    b'n":""},"uri":"http://vocab.getty.edu/aat/"},"title":{"fr":"","en":""},"description":{"fr'
    b'":"","en":""},"production":{"date":{"display":"","edtf":"","earliest":"","latest":""},"p'
    b'lace":{"id":"","label":{"fr":"","en":""},"uri":null},"makers":[{"agent":{"id":"","label"'
    b':{"fr":"","en":""},"uri":null},"role":"photographe"}]},"materials":[{"id":"","label":{"f'
    b'r":"","en":""},"uri":null}],"techniques":[{"id":"","label":{"fr":"","en":""},"uri":null}'
    b'],"subjects":[{"id":"","label":{"fr":"","en":""},"uri":null}],"dimensions":[],"inscripti'
    b'ons":[],"associated_places":[{"id":"","label":{"fr":"","en":""},"uri":null}],"associated'
    b'_agents":[{"id":"","label":{"fr":"","en":""},"uri":null}],"collections":[{"id":"","label'
    b'":{"fr":"","en":""},"uri":null}],"related_objects":[{"id":"","object_number":"","title":'
    b'{"fr":"","en":""},"status":"public","relation":"part_of"}],"credit_line":{"fr":"","en":"'
    b'"},"rights":{"statement":"","uri":""},"acquisition":{"method":"","date":null,"source":""'
    b',"source_contact":""},"valuation":null,"location":{"id":"","label":{"fr":"","en":""},"ur'
    b'i":null},"internal_notes":null,"media":[],"version":2,"created_at":"","updated_at":"","l'
    b'inks":{"self":"/api/v1/objects/","html":"/objects/","iiif_manifest":"/iiif/3/objects//ma'
    b'nifest","linked_art":"/linked-art/objects/"}}'
)

# 2: OAI-PMH metadata payloads (``oai_dc`` then ``lido``, the most frequent last).
XML_2 = (
    b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://p'
    b'url.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:sche'
    b'maLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/'
    b'2.0/oai_dc.xsd"><dc:title xml:lang="en"></dc:title><dc:title xml:lang="fr"></dc:title><d'
    b'c:creator xml:lang="en"></dc:creator><dc:creator xml:lang="fr"></dc:creator><dc:subject '
    b'xml:lang="en"></dc:subject><dc:subject xml:lang="fr"></dc:subject><dc:subject xml:lang="'
    b'en"></dc:subject><dc:subject xml:lang="fr"></dc:subject><dc:subject xml:lang="en"></dc:s'
    b'ubject><dc:subject xml:lang="fr"></dc:subject><dc:description xml:lang="en"></dc:descrip'
    b'tion><dc:description xml:lang="fr"></dc:description><dc:publisher><?oai institution?></d'
    b'c:publisher><dc:date></dc:date><dc:type xml:lang="en"></dc:type><dc:type xml:lang="fr"><'
    b'/dc:type><dc:type></dc:type><dc:format xml:lang="en"></dc:format><dc:format xml:lang="fr'
    b'"></dc:format><dc:format xml:lang="en"></dc:format><dc:format xml:lang="fr"></dc:format>'
    b"<dc:identifier></dc:identifier><dc:identifier><?oai base-url?>/objects/</dc:identifier><"
    b'dc:coverage xml:lang="en"></dc:coverage><dc:coverage xml:lang="fr"></dc:coverage><dc:cov'
    b'erage xml:lang="en"></dc:coverage><dc:coverage xml:lang="fr"></dc:coverage><dc:coverage '
    b'xml:lang="en"></dc:coverage><dc:coverage xml:lang="fr"></dc:coverage><dc:rights></dc:rig'
    b'hts><dc:rights></dc:rights></oai_dc:dc><lido:lido xmlns:lido="http://www.lido-schema.org'
    b'" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.l'
    b'ido-schema.org http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd"><lido:lidoRecID lid'
    b'o:type="local" lido:source="<?oai institution?>"></lido:lidoRecID><lido:category><lido:c'
    b'onceptID lido:type="URI">http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object</lido:'
    b'conceptID><lido:term xml:lang="en">Human-Made Object</lido:term></lido:category><lido:de'
    b'scriptiveMetadata xml:lang="<?oai language?>"><lido:objectClassificationWrap><lido:objec'
    b'tWorkTypeWrap><lido:objectWorkType><lido:conceptID lido:type="URI" lido:source="AAT"></l'
    b'ido:conceptID><lido:conceptID lido:type="local" lido:source="<?oai institution?>"></lido'
    b':conceptID><lido:term xml:lang="en"></lido:term><lido:term xml:lang="fr"></lido:term></l'
    b"ido:objectWorkType></lido:objectWorkTypeWrap></lido:objectClassificationWrap><lido:objec"
    b'tIdentificationWrap><lido:titleWrap><lido:titleSet><lido:appellationValue xml:lang="en">'
    b'</lido:appellationValue><lido:appellationValue xml:lang="fr"></lido:appellationValue></l'
    b'ido:titleSet></lido:titleWrap><lido:repositoryWrap><lido:repositorySet lido:type="curren'
    b't"><lido:repositoryName><lido:legalBodyName><lido:appellationValue xml:lang="<?oai langu'
    b'age?>"><?oai institution?></lido:appellationValue></lido:legalBodyName></lido:repository'
    b'Name><lido:workID lido:type="inventory number"></lido:workID></lido:repositorySet></lido'
    b":repositoryWrap><lido:objectDescriptionWrap><lido:objectDescriptionSet><lido:descriptive"
    b'NoteValue xml:lang="en"></lido:descriptiveNoteValue><lido:descriptiveNoteValue xml:lang='
    b'"fr"></lido:descriptiveNoteValue></lido:objectDescriptionSet></lido:objectDescriptionWra'
    b"p></lido:objectIdentificationWrap><lido:eventWrap><lido:eventSet><lido:event><lido:event"
    b'Type><lido:conceptID lido:type="URI" lido:source="LIDO-Terminology"></lido:conceptID><li'
    b'do:term xml:lang="en"></lido:term><lido:term xml:lang="fr"></lido:term></lido:eventType>'
    b'<lido:eventActor><lido:actorInRole><lido:actor><lido:actorID lido:type="local" lido:sour'
    b'ce="<?oai institution?>"></lido:actorID><lido:nameActorSet><lido:appellationValue xml:la'
    b'ng="en"></lido:appellationValue><lido:appellationValue xml:lang="fr"></lido:appellationV'
    b"alue></lido:nameActorSet></lido:actor><lido:roleActor><lido:term></lido:term></lido:role"
    b"Actor></lido:actorInRole></lido:eventActor><lido:eventDate><lido:displayDate></lido:disp"
    b"layDate><lido:date><lido:earliestDate></lido:earliestDate><lido:latestDate></lido:latest"
    b'Date></lido:date></lido:eventDate><lido:eventPlace><lido:place><lido:placeID lido:type="'
    b'local" lido:source="<?oai institution?>"></lido:placeID><lido:namePlaceSet><lido:appella'
    b'tionValue xml:lang="en"></lido:appellationValue><lido:appellationValue xml:lang="fr"></l'
    b"ido:appellationValue></lido:namePlaceSet></lido:place></lido:eventPlace><lido:eventMater"
    b'ialsTech><lido:materialsTech><lido:termMaterialsTech lido:type="material"><lido:conceptI'
    b'D lido:type="local" lido:source="<?oai institution?>"></lido:conceptID><lido:term xml:la'
    b'ng="en"></lido:term><lido:term xml:lang="fr"></lido:term></lido:termMaterialsTech></lido'
    b":materialsTech></lido:eventMaterialsTech><lido:eventMaterialsTech><lido:materialsTech><l"
    b'ido:termMaterialsTech lido:type="material"><lido:conceptID lido:type="local" lido:source'
    b'="<?oai institution?>"></lido:conceptID><lido:term xml:lang="en"></lido:term><lido:term '
    b'xml:lang="fr"></lido:term></lido:termMaterialsTech></lido:materialsTech></lido:eventMate'
    b"rialsTech><lido:eventMaterialsTech><lido:materialsTech><lido:termMaterialsTech lido:type"
    b'="technique"><lido:conceptID lido:type="local" lido:source="<?oai institution?>"></lido:'
    b'conceptID><lido:term xml:lang="en"></lido:term><lido:term xml:lang="fr"></lido:term></li'
    b"do:termMaterialsTech></lido:materialsTech></lido:eventMaterialsTech></lido:event></lido:"
    b"eventSet></lido:eventWrap><lido:objectRelationWrap><lido:subjectWrap><lido:subjectSet><l"
    b'ido:subject><lido:subjectConcept><lido:conceptID lido:type="local" lido:source="<?oai in'
    b'stitution?>"></lido:conceptID><lido:term xml:lang="en"></lido:term><lido:term xml:lang="'
    b'fr"></lido:term></lido:subjectConcept><lido:subjectConcept><lido:conceptID lido:type="lo'
    b'cal" lido:source="<?oai institution?>"></lido:conceptID><lido:term xml:lang="en"></lido:'
    b'term><lido:term xml:lang="fr"></lido:term></lido:subjectConcept><lido:subjectConcept><li'
    b'do:conceptID lido:type="local" lido:source="<?oai institution?>"></lido:conceptID><lido:'
    b'term xml:lang="en"></lido:term><lido:term xml:lang="fr"></lido:term></lido:subjectConcep'
    b't><lido:subjectActor><lido:actor><lido:actorID lido:type="local" lido:source="<?oai inst'
    b'itution?>"></lido:actorID><lido:nameActorSet><lido:appellationValue xml:lang="en"></lido'
    b':appellationValue><lido:appellationValue xml:lang="fr"></lido:appellationValue></lido:na'
    b"meActorSet></lido:actor></lido:subjectActor><lido:subjectPlace><lido:place><lido:placeID"
    b' lido:type="local" lido:source="<?oai institution?>"></lido:placeID><lido:namePlaceSet><'
    b'lido:appellationValue xml:lang="en"></lido:appellationValue><lido:appellationValue xml:l'
    b'ang="fr"></lido:appellationValue></lido:namePlaceSet></lido:place></lido:subjectPlace><l'
    b'ido:subjectPlace><lido:place><lido:placeID lido:type="local" lido:source="<?oai institut'
    b'ion?>"></lido:placeID><lido:namePlaceSet><lido:appellationValue xml:lang="en"></lido:app'
    b'ellationValue><lido:appellationValue xml:lang="fr"></lido:appellationValue></lido:namePl'
    b"aceSet></lido:place></lido:subjectPlace><lido:subjectPlace><lido:place><lido:placeID lid"
    b'o:type="local" lido:source="<?oai institution?>"></lido:placeID><lido:namePlaceSet><lido'
    b':appellationValue xml:lang="en"></lido:appellationValue><lido:appellationValue xml:lang='
    b'"fr"></lido:appellationValue></lido:namePlaceSet></lido:place></lido:subjectPlace></lido'
    b":subject></lido:subjectSet></lido:subjectWrap></lido:objectRelationWrap></lido:descripti"
    b'veMetadata><lido:administrativeMetadata xml:lang="<?oai language?>"><lido:rightsWorkWrap'
    b'><lido:rightsWorkSet><lido:rightsType><lido:conceptID lido:type="URI"></lido:conceptID><'
    b'lido:term></lido:term></lido:rightsType><lido:creditLine xml:lang="en"></lido:creditLine'
    b'><lido:creditLine xml:lang="fr"></lido:creditLine></lido:rightsWorkSet></lido:rightsWork'
    b'Wrap><lido:recordWrap><lido:recordID lido:type="local" lido:source="<?oai institution?>"'
    b'></lido:recordID><lido:recordType><lido:conceptID lido:type="URI"></lido:conceptID><lido'
    b':term xml:lang="en"></lido:term></lido:recordType><lido:recordSource><lido:legalBodyName'
    b'><lido:appellationValue xml:lang="<?oai language?>"><?oai institution?></lido:appellatio'
    b"nValue></lido:legalBodyName><lido:legalBodyWeblink><?oai base-url?>/</lido:legalBodyWebl"
    b'ink></lido:recordSource><lido:recordInfoSet><lido:recordInfoLink lido:formatResource="te'
    b'xt/html"><?oai base-url?>/objects/</lido:recordInfoLink><lido:recordMetadataDate lido:ty'
    b'pe="modified"><?oai datestamp?></lido:recordMetadataDate></lido:recordInfoSet></lido:rec'
    b"ordWrap></lido:administrativeMetadata></lido:lido>"
)
