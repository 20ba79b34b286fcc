"""The joint control room's standard operating procedures, one per incident kind (demo).

Short, ordered, bilingual checklists an operator ticks while handling an incident. They
follow the order of work at the freight search bays of Coquelles, the port of Calais and
Folkestone: make people safe first (stop the vehicle, medical support standing by), then
search, count, hand over to safeguarding, and record what intelligence needs.
"""

from __future__ import annotations

# kind -> [(code, English, French), ...] in order.
PROCEDURES: dict[str, list[tuple[str, str, str]]] = {
    "intrusion": [
        (
            "confirm-cctv",
            "Confirm the intrusion on CCTV and keep a camera on the people",
            "Confirmer l’intrusion sur la vidéo et garder une caméra sur les personnes",
        ),
        (
            "halt-traffic",
            "Have trains or lorries halted if people are near moving vehicles",
            "Faire arrêter trains ou camions si des personnes sont près de véhicules en mouvement",
        ),
        (
            "send-patrol",
            "Send the nearest patrol or freight search team",
            "Envoyer la patrouille ou l’équipe de fouille fret la plus proche",
        ),
        (
            "warn-other-side",
            "Warn the other side's control room if a shuttle or ferry may have left with people on "
            "board",
            "Prévenir la salle de l’autre rive si une navette ou un ferry a pu partir avec des "
            "personnes à bord",
        ),
        (
            "count-people",
            "Count the people found; note minors and anyone hurt",
            "Compter les personnes trouvées ; noter les mineurs et les blessés",
        ),
        (
            "note-entry-point",
            "Note the entry point for the maintenance team",
            "Relever le point d’entrée pour l’équipe de maintenance",
        ),
    ],
    "person": [
        (
            "check-image",
            "Check the detection on the image: a person, an animal or staff at work",
            "Vérifier la détection sur l’image : personne, animal ou personnel au travail",
        ),
        (
            "check-works",
            "Check that no authorised staff or contractors work in the zone",
            "Vérifier qu’aucun personnel autorisé ni prestataire ne travaille dans la zone",
        ),
        (
            "send-patrol",
            "Send the nearest patrol",
            "Envoyer la patrouille la plus proche",
        ),
        (
            "guide-patrol",
            "Keep the person in view and guide the patrol by radio",
            "Garder la personne à l’image et guider la patrouille par radio",
        ),
        (
            "record-result",
            "Record what the patrol found",
            "Consigner ce que la patrouille a trouvé",
        ),
    ],
    "fence_breach": [
        (
            "locate-section",
            "Locate the fence section on the map and turn a camera on it",
            "Localiser la section de clôture sur la carte et y orienter une caméra",
        ),
        (
            "send-patrol",
            "Send a patrol to the breach",
            "Envoyer une patrouille sur la brèche",
        ),
        (
            "sweep-inside",
            "Have the area inside the fence swept for people who got through",
            "Faire fouiller la zone intérieure à la recherche de personnes passées",
        ),
        (
            "guard-breach",
            "Keep the breach guarded until it is repaired",
            "Faire garder la brèche jusqu’à sa réparation",
        ),
        (
            "request-repair",
            "Ask maintenance for the repair and note the request's reference",
            "Demander la réparation à la maintenance et noter la référence de la demande",
        ),
    ],
    "heartbeat": [
        (
            "stop-vehicle",
            "Stop the vehicle at the search bay, engine off",
            "Immobiliser le véhicule à l’aire de fouille, moteur coupé",
        ),
        (
            "medical-standby",
            "Call medical support to stand by",
            "Faire venir les secours médicaux en attente",
        ),
        (
            "open-with-driver",
            "Open the trailer with the driver present",
            "Ouvrir la remorque en présence du chauffeur",
        ),
        (
            "count-people",
            "Count the people found; note minors and anyone hurt",
            "Compter les personnes trouvées ; noter les mineurs et les blessés",
        ),
        (
            "hand-to-safeguarding",
            "Hand the people found over to safeguarding",
            "Remettre les personnes trouvées aux services de protection",
        ),
        (
            "record-vehicle",
            "Record the vehicle, the haulier and the concealment method",
            "Relever le véhicule, le transporteur et la méthode de dissimulation",
        ),
    ],
    "co2": [
        (
            "stop-vehicle",
            "Stop the vehicle at the search bay, engine and refrigeration unit off",
            "Immobiliser le véhicule à l’aire de fouille, moteur et groupe frigorifique coupés",
        ),
        (
            "medical-now",
            "Call medical support at once: a high CO2 level means a risk of suffocation",
            "Appeler aussitôt les secours médicaux : un taux de CO2 élevé signale un risque "
            "d’asphyxie",
        ),
        (
            "open-and-air",
            "Open the trailer with the driver present and let air in",
            "Ouvrir la remorque en présence du chauffeur et l’aérer",
        ),
        (
            "count-people",
            "Count the people found; note minors and anyone hurt",
            "Compter les personnes trouvées ; noter les mineurs et les blessés",
        ),
        (
            "hand-to-safeguarding",
            "Hand the people found over to safeguarding",
            "Remettre les personnes trouvées aux services de protection",
        ),
        (
            "record-vehicle",
            "Record the vehicle, the haulier and the concealment method",
            "Relever le véhicule, le transporteur et la méthode de dissimulation",
        ),
    ],
    "scan_anomaly": [
        (
            "hold-vehicle",
            "Hold the vehicle and its driver at the search bay",
            "Retenir le véhicule et son chauffeur à l’aire de fouille",
        ),
        (
            "second-reading",
            "Have a second operator read the scan image",
            "Faire relire l’image du scanner par un second opérateur",
        ),
        (
            "check-manifest",
            "Compare the image with the load declared on the manifest",
            "Comparer l’image au chargement déclaré sur le manifeste",
        ),
        (
            "search-anomaly",
            "Send a freight search team to search where the anomaly shows",
            "Envoyer une équipe de fouille fret à l’endroit de l’anomalie",
        ),
        (
            "record-result",
            "Record the result; send vehicle and haulier to intelligence if something was found",
            "Consigner le résultat ; transmettre véhicule et transporteur au renseignement en cas "
            "de découverte",
        ),
    ],
    "sensor_silent": [
        (
            "check-status",
            "Check the sensor's status and when it was last heard from",
            "Vérifier l’état du capteur et son dernier signe de vie",
        ),
        (
            "cover-zone",
            "Cover the zone with another camera or a patrol",
            "Couvrir la zone par une autre caméra ou une patrouille",
        ),
        (
            "call-owner",
            "Call the owning agency's technical desk",
            "Appeler le support technique de l’agence propriétaire",
        ),
        (
            "note-fault",
            "Note the fault reference and the promised repair time",
            "Noter la référence de la panne et le délai de réparation annoncé",
        ),
    ],
}
